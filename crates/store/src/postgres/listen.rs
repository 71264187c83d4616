//! The listener connection: receives the changes every server announces and passes them to
//! this server's subscribers. Reconnects by itself when the database goes away.

use super::CHANNEL;
use crate::Change;
use postgres::NoTls;
use postgres::fallible_iterator::FallibleIterator;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::broadcast;

pub(super) fn spawn(config: postgres::Config, changes: broadcast::Sender<Change>, alive: Weak<()>) {
    std::thread::Builder::new()
        .name("pg-listen".into())
        .spawn(move || {
            let mut backoff = Duration::from_millis(100);
            loop {
                match listen(&config, &changes, &alive) {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "change listener lost its connection; reconnecting");
                        std::thread::sleep(backoff);
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                }
            }
        })
        .expect("spawning the change listener");
}

/// Returns Ok when nobody can subscribe any more (the store was dropped).
fn listen(
    config: &postgres::Config,
    changes: &broadcast::Sender<Change>,
    alive: &Weak<()>,
) -> Result<(), postgres::Error> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    loop {
        {
            let mut notifications = client.notifications();
            let mut iter = notifications.timeout_iter(Duration::from_secs(1));
            while let Some(n) = iter.next()? {
                if let Ok(change) = serde_json::from_str::<Change>(n.payload()) {
                    let _ = changes.send(change);
                }
            }
        }
        if alive.upgrade().is_none() {
            return Ok(());
        }
        // A cheap query keeps the connection honest: a dead server shows up here.
        client.simple_query("")?;
    }
}

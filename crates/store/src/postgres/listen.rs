//! The listener connection: receives the changes every server announces and passes them to
//! this server's subscribers. Reconnects by itself when the database goes away.

use super::CHANNEL;
use crate::Change;
use postgres::NoTls;
use postgres::fallible_iterator::FallibleIterator;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::broadcast;

/// Starts the listener and returns once it listens, so that no change committed after the
/// store opened is missed (or after 5 seconds, if the database cannot be reached; the
/// listener keeps trying).
pub(super) fn spawn(config: postgres::Config, changes: broadcast::Sender<Change>, alive: Weak<()>) {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("pg-listen".into())
        .spawn(move || {
            let mut backoff = Duration::from_millis(100);
            loop {
                match listen(&config, &changes, &alive, &ready_tx) {
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
    let _ = ready_rx.recv_timeout(Duration::from_secs(5));
}

/// Returns Ok when nobody can subscribe any more (the store was dropped).
fn listen(
    config: &postgres::Config,
    changes: &broadcast::Sender<Change>,
    alive: &Weak<()>,
    ready: &std::sync::mpsc::Sender<()>,
) -> Result<(), postgres::Error> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    let _ = ready.send(());
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

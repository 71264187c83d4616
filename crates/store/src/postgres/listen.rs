//! The listener connection: receives the changes every server announces and passes them to
//! this server's subscribers. Reconnects by itself when the database goes away, and then tells
//! its subscribers that changes may have been missed ([`Feed::Missed`]): what other servers
//! committed while it was away was announced to nobody here.

use super::CHANNEL;
use crate::{Change, Feed};
use postgres::NoTls;
use postgres::fallible_iterator::FallibleIterator;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::broadcast;

/// Starts the listener and returns once it listens, so that no change committed after the
/// store opened is missed (or after 5 seconds, if the database cannot be reached; the
/// listener keeps trying).
pub(super) fn spawn(config: postgres::Config, changes: broadcast::Sender<Feed>, alive: Weak<()>) {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("pg-listen".into())
        .spawn(move || {
            let mut backoff = Duration::from_millis(100);
            // Nothing can be missed before the first attempt: the store opens now.
            let mut missed_some = false;
            loop {
                let listening = || {
                    if missed_some {
                        let _ = changes.send(Feed::Missed);
                    }
                    let _ = ready_tx.send(());
                };
                match listen(&config, &changes, &alive, listening) {
                    Ok(()) => return,
                    Err(e) => {
                        missed_some = true;
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

/// Listens until the connection breaks; calls `listening` once it listens. Returns Ok when
/// nobody can subscribe any more (the store was dropped).
fn listen(
    config: &postgres::Config,
    changes: &broadcast::Sender<Feed>,
    alive: &Weak<()>,
    listening: impl FnOnce(),
) -> Result<(), postgres::Error> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    listening();
    loop {
        {
            let mut notifications = client.notifications();
            let mut iter = notifications.timeout_iter(Duration::from_secs(1));
            while let Some(n) = iter.next()? {
                if let Ok(change) = serde_json::from_str::<Change>(n.payload()) {
                    let _ = changes.send(Feed::Change(change));
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

//! WAL checkpoints off the append path. SQLite's automatic checkpoint runs on the connection
//! whose commit took the WAL past its bound (1,000 pages by default): the message writer's,
//! which then copied pages into the database file for several milliseconds while the next
//! batch of messages waited (the p99 at 2,000 msg/s: 6 ms, against 1 ms without checkpoints).
//!
//! A file store therefore runs [`Checkpointer`]: a task with a connection of its own that
//! looks at the WAL every [`ACTIVE_INTERVAL`] while it takes new frames (backing off to
//! [`IDLE_INTERVAL`] while it does not) and runs `PRAGMA wal_checkpoint(PASSIVE)` once
//! [`BATCH_FRAMES`] frames wait, or when writes pause. A passive checkpoint never
//! blocks the writer: it copies the committed frames beside it. SQLite starts the WAL over
//! only when a writer begins after a checkpoint copied every frame; under a writer that never
//! pauses a concurrent pass may never catch the last frames, so the store's connections keep
//! an automatic checkpoint at [`AUTOCHECKPOINT_PAGES`], four times SQLite's bound: when it
//! fires, the background passes have left it only the last few frames to copy.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::{Pool, Sqlite};
use tokio::task::JoinHandle;

/// How often the WAL's size is looked at while it takes new frames.
pub(super) const ACTIVE_INTERVAL: Duration = Duration::from_millis(20);
/// The longest wait between two looks while nothing is written.
pub(super) const IDLE_INTERVAL: Duration = Duration::from_secs(2);
/// The WAL size (in pages) at which a committing connection checkpoints by itself.
pub(super) const AUTOCHECKPOINT_PAGES: u32 = 4_000;
/// WAL frames not yet in the database file that make a checkpoint due, whatever the time:
/// a pass's work then follows the writes, not the clock. Smaller than SQLite's own bound
/// (1,000): the server may have one core, and a short pass holds it for less time (p99 at
/// 2,000 msg/s: 1.3 ms at 250, 2.1–2.5 ms at 1,000).
const BATCH_FRAMES: u32 = 250;
/// Passes in a row while each one leaves frames that arrived during it.
const PASSES_PER_TICK: usize = 5;

/// The checkpoint task; it stops when the last clone of its store is dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    task: JoinHandle<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database file `path` through `connection` (a pool of one,
    /// used for nothing else).
    pub(super) fn start(connection: Pool<Sqlite>, path: &Path) -> Arc<Self> {
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        let shm = std::fs::File::open(shm).ok();
        Arc::new(Checkpointer {
            task: tokio::spawn(run(connection, shm)),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What one `wal_checkpoint` answered: frames in the WAL, and how many of them the database
/// file holds now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct WalState {
    frames: i64,
    copied: i64,
}

async fn run(connection: Pool<Sqlite>, shm: Option<std::fs::File>) {
    let mut copied = 0;
    let mut seen = None;
    let mut interval = ACTIVE_INTERVAL;
    loop {
        tokio::time::sleep(interval).await;
        if connection.is_closed() {
            return;
        }
        let frames = shm.as_ref().and_then(wal_frames);
        let grew = frames != seen;
        seen = frames;
        interval = if grew {
            ACTIVE_INTERVAL
        } else {
            (interval * 2).min(IDLE_INTERVAL)
        };
        if !checkpoint_due(frames, copied, grew) {
            continue;
        }
        match checkpoint(&connection).await {
            Ok(state) => copied = u32::try_from(state.copied).unwrap_or(0),
            Err(error) => {
                tracing::warn!(%error, "SQLite WAL checkpoint failed; retrying");
                interval = IDLE_INTERVAL;
            }
        }
    }
}

/// Whether to checkpoint now: [`BATCH_FRAMES`] frames wait to be copied, or some do and the
/// WAL stopped growing (so the file catches up when writes pause). Without the WAL-index
/// (`frames` unknown), at every tick.
fn checkpoint_due(frames: Option<u32>, copied: u32, grew: bool) -> bool {
    let Some(frames) = frames else {
        return true;
    };
    // A WAL smaller than what was copied has started over: all of it is new.
    let waiting = if frames < copied {
        frames
    } else {
        frames - copied
    };
    waiting >= BATCH_FRAMES || (waiting > 0 && !grew)
}

/// The frames the WAL holds, from the WAL-index header in the `-shm` file (`mxFrame`, bytes
/// 16..20 in native byte order, valid once `isInit`, byte 12, is set:
/// <https://www.sqlite.org/walformat.html>): a read of the shared file, not a statement.
#[cfg(unix)]
fn wal_frames(shm: &std::fs::File) -> Option<u32> {
    use std::os::unix::fs::FileExt;
    let mut header = [0u8; 20];
    shm.read_exact_at(&mut header, 0).ok()?;
    let frames = u32::from_ne_bytes([header[16], header[17], header[18], header[19]]);
    (header[12] == 1).then_some(frames)
}

#[cfg(not(unix))]
fn wal_frames(_shm: &std::fs::File) -> Option<u32> {
    None
}

/// Passive checkpoints until one found no frame that arrived during the one before it (or
/// [`PASSES_PER_TICK`] were run). A pass copies the frames that were in the WAL when it
/// began; the writer's next transaction starts the WAL over only if nothing was committed
/// after the last pass began.
async fn checkpoint(connection: &Pool<Sqlite>) -> Result<WalState, sqlx::Error> {
    let mut state = checkpoint_pass(connection).await?;
    for _ in 1..PASSES_PER_TICK {
        let before = state;
        state = checkpoint_pass(connection).await?;
        if state == before {
            break;
        }
    }
    Ok(state)
}

async fn checkpoint_pass(connection: &Pool<Sqlite>) -> Result<WalState, sqlx::Error> {
    let (_busy, frames, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(connection)
        .await?;
    Ok(WalState { frames, copied })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_due_for_a_batch_of_frames_or_when_writes_pause() {
        assert!(
            !checkpoint_due(Some(10), 0, true),
            "a few frames while writes go on"
        );
        assert!(
            checkpoint_due(Some(10), 0, false),
            "writes paused: the file catches up"
        );
        assert!(!checkpoint_due(Some(10), 10, false), "nothing left to copy");
        assert!(
            checkpoint_due(Some(400 + BATCH_FRAMES), 400, true),
            "a batch waits"
        );
        assert!(!checkpoint_due(Some(400 + BATCH_FRAMES - 1), 400, true));
        assert!(
            checkpoint_due(Some(BATCH_FRAMES), 3_000, true),
            "the WAL started over: every frame is new"
        );
        assert!(
            checkpoint_due(None, 0, true),
            "without the WAL-index, at every tick"
        );
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_wal_size_is_read_from_the_wal_index() {
        let path = std::env::temp_dir().join(format!("tms-chat-wal-{}.db", std::process::id()));
        let url = format!("sqlite://{}", path.display());
        let store = crate::SqliteStore::connect(&url).await.expect("open");
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        let shm = std::fs::File::open(shm).expect("the WAL-index of an open WAL database");
        let frames = wal_frames(&shm).expect("an initialised WAL-index");
        assert!(frames > 0, "the migrations wrote to the WAL");
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

use tokio::sync::mpsc::Receiver;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct Metrics {
    flusher: JoinHandle<()>,
}

impl Metrics {
    pub fn start(rx: Receiver<u64>, token: CancellationToken) -> Metrics {
        let flusher = tokio::spawn(pump(rx, token));
        Metrics { flusher }
    }

    /// Leak: returns while the flusher may still be running.
    pub async fn stop(self) {
        self.flusher.abort();
    }
}

async fn pump(mut rx: Receiver<u64>, token: CancellationToken) {
    let mut total = 0;
    loop {
        tokio::select! {
            // Leak: the shutdown request is logged, and the loop carries on.
            _ = token.cancelled() => {
                eprintln!("metrics: shutdown requested");
            }
            Some(value) = rx.recv() => total += value,
        }
        if total > 1_000_000 {
            break;
        }
    }
}

pub async fn upload(batch: Vec<u64>) {
    let upload = tokio::spawn(async move { send(batch).await });
    // Leak: a panic in `send` vanishes here.
    let _ = upload.await;
}

async fn send(_batch: Vec<u64>) {}

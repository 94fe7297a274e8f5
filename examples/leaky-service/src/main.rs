//! A small chat relay with the task leaks tasklint finds.

mod metrics;
mod relay;
mod upstream;

use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:7000").await?;
    let upstream = upstream::Upstream::connect("127.0.0.1:7001").await?;

    // Fine: one task per accepted connection is the accepted idiom.
    loop {
        let (socket, _) = listener.accept().await?;
        let upstream = upstream.clone();
        tokio::spawn(async move { relay::serve(socket, upstream).await });
    }
}

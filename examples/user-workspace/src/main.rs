//! The receiver as a program. `WEBHOOK_SECRET` is the secret (default: the one in this
//! example's README); `PORT` the port on 127.0.0.1 (default: one the OS chooses). The first line
//! on standard output is the URL.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let secret =
        std::env::var("WEBHOOK_SECRET").unwrap_or_else(|_| my_receiver::DEFAULT_SECRET.into());
    let port: u16 = std::env::var("PORT").map_or(Ok(0), |p| p.parse())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("http://{}/webhooks", listener.local_addr()?);
    my_receiver::serve(listener, &secret).await
}

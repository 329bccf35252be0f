//! futures-io (and, with the `tokio` feature, tokio) read and write traits
//! for every type that holds a connection: written once here, applied to
//! `TcpStream` and its halves.

/// `AsyncRead` for a type whose `inner` is the connection's resident
/// [`SocketIo`](sim_core::kernel::net::SocketIo).
macro_rules! impl_async_read {
    ($ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                crate::tcp::ops::poll_read(&self.inner.get(), cx, buf)
            }
        }

        #[cfg(feature = "tokio")]
        impl tokio::io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let io = self.inner.get();
                let n = std::task::ready!(crate::tcp::ops::poll_read(
                    &io,
                    cx,
                    buf.initialize_unfilled()
                ))?;
                buf.advance(n);
                std::task::Poll::Ready(Ok(()))
            }
        }
    };
}

/// `AsyncWrite` for the same: flushing is a no-op
/// (written bytes are already on their way), closing shuts the write half
/// down (FIN) and reports what that says.
macro_rules! impl_async_write {
    ($ty:ty) => {
        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                crate::tcp::ops::poll_write(&self.inner.get(), cx, buf)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(crate::tcp::ops::shutdown_write(&self.inner.get()))
            }
        }

        #[cfg(feature = "tokio")]
        impl tokio::io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                crate::tcp::ops::poll_write(&self.inner.get(), cx, buf)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(crate::tcp::ops::shutdown_write(&self.inner.get()))
            }
        }
    };
}

pub(crate) use {impl_async_read, impl_async_write};

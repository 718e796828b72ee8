//! The embedded simulator as a transport: the client in process, no sockets. Delivery faults
//! the simulator decides become the transport errors a socket would give (a dropped connection,
//! a truncated body); injected latency is waited for.

use std::sync::Arc;

use veeam_em_sim::{Delivery, Simulator};

use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// The simulator, in process.
#[derive(Debug, Clone)]
pub struct SimTransport {
    sim: Arc<Simulator>,
}

impl SimTransport {
    /// A transport to `sim`.
    pub fn new(sim: Arc<Simulator>) -> Self {
        Self { sim }
    }

    /// The simulator.
    pub fn simulator(&self) -> &Arc<Simulator> {
        &self.sim
    }

    fn answer(
        &self,
        request: HttpRequest,
    ) -> (
        Option<std::time::Duration>,
        Result<HttpResponse, TransportError>,
    ) {
        let outcome = self.sim.serve(request);
        let result = match outcome.delivery {
            Delivery::Normal | Delivery::Slow(_) => Ok(outcome.response),
            Delivery::Drop => Err(TransportError::BodyRead {
                message: "the connection closed without an answer".into(),
            }),
            Delivery::Truncate => Err(TransportError::BodyRead {
                message: format!(
                    "the connection closed after {} of {} bytes",
                    outcome.response.body().len() / 2,
                    outcome.response.body().len()
                ),
            }),
        };
        (outcome.delay, result)
    }
}

impl Transport for SimTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (delay, result) = self.answer(request);
        if let Some(delay) = delay {
            std::thread::sleep(delay);
        }
        result
    }
}

#[cfg(feature = "async")]
impl crate::transport::AsyncTransport for SimTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (delay, result) = self.answer(request);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        result
    }
}

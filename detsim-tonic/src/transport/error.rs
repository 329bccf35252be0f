//! tonic's transport errors for failures the shadows meet themselves.

use tonic::codegen::StdError;
use tonic::transport::Error;
use tonic::transport::channel::Endpoint;

/// tonic's transport error with `cause` as its source.
///
/// tonic's constructors are private; its `Endpoint::new` turns the error
/// of a failed conversion into one, so a conversion that always fails
/// is the public way to get one.
pub(crate) fn transport_error(cause: StdError) -> Error {
    match Endpoint::new(Refused(cause)) {
        Err(error) => error,
        Ok(_) => unreachable!("a Refused never converts to an endpoint"),
    }
}

/// A destination that always fails to convert, with its cause.
struct Refused(StdError);

impl TryFrom<Refused> for Endpoint {
    type Error = StdError;

    fn try_from(refused: Refused) -> Result<Self, StdError> {
        Err(refused.0)
    }
}

//! The broker's OpenAPI components: the schemas its operations name and its tag (the
//! operations themselves come from the route list in [`super::router`]).

use utoipa::OpenApi;

use super::{kasus, quotes, report};
use crate::insurance::wire;

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        wire::StatusCbcCallback,
        wire::StatusPembatalanCallback,
        wire::StatusKlaimCallback,
        quotes::QuotesResponse,
        quotes::Quote,
        quotes::FailedQuote,
        kasus::CaseView,
        kasus::HistoryView,
        kasus::DocumentView,
        kasus::ClaimView,
        report::Report,
        report::ReportLine,
    )),
    tags((name = "insurance-broker", description = "Insurance broker hub (AAP): bank-facing API and panel callbacks"))
)]
struct BrokerDoc;

/// The document the broker's router starts from.
pub fn components() -> utoipa::openapi::OpenApi {
    BrokerDoc::openapi()
}

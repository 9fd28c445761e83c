//! OpenAPI shapes both sides of the insurance family answer with: the `Status` "01"
//! refusal and the "success or refusal" answers (these types only describe bodies the
//! handlers build as JSON).

/// A business refusal as the panels and the broker send it: HTTP 200 (or 400/401/403/404
/// where said), `Status` "01".
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Refusal {
    /// Always `01`.
    #[serde(rename = "Status")]
    #[schema(pattern = "^01$", example = "01")]
    status: String,
    /// Why.
    #[serde(rename = "Keterangan")]
    keterangan: String,
}

/// Declares an answer that is either one of the operation's success bodies or a
/// [`Refusal`], all with HTTP 200. Documented as `anyOf`: a refusal may also fit a success schema
/// whose fields are optional, which `oneOf` would reject.
macro_rules! answer {
    ($name:ident, $($ok:ty)|+, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::AnyOfBuilder::new()
                    $(.item(utoipa::openapi::Ref::from_schema_name(<$ok as utoipa::ToSchema>::name())))+
                    .item(utoipa::openapi::Ref::from_schema_name(
                        <$crate::insurance::answers::Refusal as utoipa::ToSchema>::name(),
                    ))
                    .description(Some($doc))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
                $(schemas.push((
                    <$ok as utoipa::ToSchema>::name().into(),
                    <$ok as utoipa::PartialSchema>::schema(),
                ));)+
                schemas.push((
                    <$crate::insurance::answers::Refusal as utoipa::ToSchema>::name().into(),
                    <$crate::insurance::answers::Refusal as utoipa::PartialSchema>::schema(),
                ));
                $(<$ok as utoipa::ToSchema>::schemas(schemas);)+
            }
        }
    };
}
pub(crate) use answer;

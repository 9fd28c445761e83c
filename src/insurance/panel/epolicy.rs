//! The e-policy: a real PDF with the policy's data, generated on request from the
//! database (so it always shows the policy's current state), at the `EPolicy` URL.
//! The URL carries a random token: the bank's portal links to it without credentials.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use super::domain::LoanState;
use super::store::{self, LoanRow};
use super::{auth, PanelCtx};
use crate::insurance::wire::{StatusResponse, STATUS_FAILED};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::Path;
use crate::kernel::money::Rupiah;

/// A new e-policy token: 256 random bits from the operating system's generator, hex, so
/// the link cannot be guessed from the policy number or from another link.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

/// The public URL of a policy's e-policy.
pub fn url(ctx: &PanelCtx, panel: &str, token: &str) -> String {
    format!("{}/asuransi/{panel}/e-policy/{token}.pdf", ctx.kernel.public_url)
}

/// Serves an e-policy PDF.
#[utoipa::path(get, path = "/{panel_code}/e-policy/{file}", tag = "insurance-panel",
    // Open on purpose (no security declared): the bank's portal links to it; the token in
    // the name is the secret.
    params(("panel_code" = String, Path, description = "Panel code", example = "A03"), ("file" = String, Path, description = "`<token>.pdf` from `EPolicy`")),
    responses((status = 200, description = "The e-policy", content_type = "application/pdf", body = Vec<u8>),
              (status = 404, description = "Unknown e-policy", body = crate::insurance::wire::StatusResponse),
              (status = 410, description = "The policy was cancelled: its e-policy no longer stands", body = crate::insurance::wire::StatusResponse)))]
pub async fn serve(
    State(ctx): State<PanelCtx>,
    Path((panel_code, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let panel = auth::panel(&ctx, &panel_code).await?;
    let token = file.strip_suffix(".pdf").unwrap_or(&file);
    let not_found = || AppError::NotFound("E-polis tidak ditemukan".into());
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let row = store::loan_by_epolicy(&ctx.kernel.db, &panel.code, token)
        .await?
        .ok_or_else(not_found)?;
    if row.state == LoanState::Batal.as_str() {
        let body = StatusResponse {
            status: STATUS_FAILED.to_string(),
            keterangan: "E-polis tidak berlaku lagi: polis telah dibatalkan".to_string(),
        };
        return Ok((StatusCode::GONE, axum::Json(body)).into_response());
    }
    let pdf = render(&panel.name, &panel.code, &row);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", row.id_loan),
            ),
        ],
        pdf,
    )
        .into_response())
}

fn rupiah(value: Rupiah) -> String {
    let value = value.value();
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("Rp {}{out}", if value < 0 { "-" } else { "" })
}

/// PDF text in the standard fonts is Latin-1; anything else becomes `?`.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| if (c as u32) < 256 { c as u8 } else { b'?' })
        .collect()
}

/// Renders the e-policy of `row` as a one-page PDF.
pub fn render(panel_name: &str, panel_code: &str, row: &LoanRow) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let page_id = Ref::new(3);
    let font = Ref::new(4);
    let bold = Ref::new(5);
    let content_id = Ref::new(6);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    page.parent(tree);
    page.contents(content_id);
    let mut resources = page.resources();
    let mut fonts = resources.fonts();
    fonts.pair(Name(b"F1"), font);
    fonts.pair(Name(b"F2"), bold);
    fonts.finish();
    resources.finish();
    page.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold"));

    let policy_no = row.policy_no.clone().unwrap_or_default();
    let lines: Vec<(String, String)> = vec![
        ("Nomor Polis".into(), policy_no),
        ("Status".into(), row.state.clone()),
        ("ID Loan".into(), row.id_loan.clone()),
        ("Nama Tertanggung".into(), row.nama.clone()),
        ("NIK".into(), crate::kernel::mask::identifiers(&row.nik)),
        ("Tanggal Lahir".into(), row.tanggal_lahir.clone()),
        ("Usia Masuk".into(), format!("{} tahun", row.usia)),
        ("Produk".into(), row.produk.clone()),
        ("Kode Cabang Bank".into(), row.kode_cabang.clone()),
        ("Uang Pertanggungan".into(), rupiah(row.nilai_pertanggungan)),
        ("Premi".into(), rupiah(row.premi)),
        ("Extra Premi".into(), rupiah(row.extra_premi)),
        ("Masa Asuransi".into(), format!("{} bulan", row.tenor)),
        ("Mulai".into(), row.tanggal_akad.clone()),
        ("Berakhir".into(), row.tanggal_akhir.clone()),
        ("Akseptasi".into(), row.underwriting.clone()),
        ("Diterbitkan".into(), row.issued_at.clone().unwrap_or_default()),
    ];
    let mut content = Content::new();
    content.begin_text();
    content.set_font(Name(b"F2"), 16.0);
    content.next_line(56.0, 780.0);
    content.show(Str(&latin1(&format!("E-POLIS ASURANSI  {panel_name} ({panel_code})"))));
    content.set_font(Name(b"F1"), 11.0);
    content.next_line(0.0, -20.0);
    content.show(Str(
        b"Asuransi jiwa kredit / asuransi kredit - PT AA Pialang Asuransi H2H",
    ));
    for (label, value) in &lines {
        content.next_line(0.0, -22.0);
        content.show(Str(&latin1(&format!("{label:<22}: {value}"))));
    }
    content.end_text();
    pdf.stream(content_id, &content.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use crate::kernel::money::Rupiah;

    #[test]
    fn rupiah_groups_thousands() {
        assert_eq!(super::rupiah(Rupiah::new(15_000_000)), "Rp 15.000.000");
        assert_eq!(super::rupiah(Rupiah::new(500)), "Rp 500");
    }
}

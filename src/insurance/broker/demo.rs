//! The demo broker: bank client `bank` / `bank-secret`, and a panel directory pointing at
//! this same server's own demo panels (`{public_base_url}/asuransi/{code}`, reached with
//! the panels' demo client `aap` / `aap-secret`), so the whole flow runs on one server.
//! Idempotent.

use super::directory::{self, DirectoryEntry};
use super::BrokerCtx;
use super::BANK_REALM;
use crate::kernel::auth::basic;

/// The demo bank client.
pub const DEMO_BANK: (&str, &str) = ("bank", "bank-secret");
/// The password of the demo panels' callback credentials (`panel-A03`, `panel-A02`, `panel-B02`).
pub const DEMO_CALLBACK_SECRET: &str = "panel-secret";

/// The demo panels: code, name, cover type.
pub const DEMO_PANELS: [(&str, &str, &str); 3] = [
    ("A02", "Asuransi Jiwa Central Asia Raya", "life"),
    ("A03", "Asuransi Jiwa Simas Jiwa", "life"),
    ("B02", "Asuransi ASEI Indonesia", "general"),
];

/// Loads the demo bank client and panel directory.
pub async fn load(state: &BrokerCtx) -> anyhow::Result<()> {
    let base = &state.kernel.public_url;
    for (code, name, cover) in DEMO_PANELS {
        let entry = DirectoryEntry {
            code: code.to_string(),
            name: name.to_string(),
            cover_type: cover.to_string(),
            base_url: format!("{base}/asuransi/{code}"),
            username: "aap".to_string(),
            password: "aap-secret".to_string(),
            callback_username: format!("panel-{code}"),
            timeout_ms: 0,
        };
        directory::save(state, &entry)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        directory::grant_callback(
            state,
            &entry.callback_username,
            DEMO_CALLBACK_SECRET,
            &[code.to_string()],
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    // Jembatan's demo panels call back with one login, `panel-A03` (DESIGN's demo
    // credential), whichever panel decided: that login speaks for every demo panel.
    let all: Vec<String> = DEMO_PANELS.iter().map(|(c, _, _)| c.to_string()).collect();
    directory::grant_callback(state, "panel-A03", DEMO_CALLBACK_SECRET, &all)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    basic::upsert(&state.kernel, BANK_REALM, DEMO_BANK.0, DEMO_BANK.1, "{}").await?;
    Ok(())
}

//! The demo panels A02, A03 (life) and B02 (general), the broker's client `aap` and the
//! panels' underwriters. Idempotent.

use super::definition::PanelDefinition;
use super::{PanelCtx, STAFF_REALM};
use crate::kernel::auth::basic;

/// The demo panels' definitions (also an example of an import file).
pub const DEMO_PANELS: &str = include_str!("demo_panels.toml");

/// The demo broker client calling the panels.
pub const DEMO_CLIENT: (&str, &str) = ("aap", "aap-secret");
/// The credentials the panels present to the demo broker (`{public_base_url}/aap`).
pub const DEMO_BROKER_CREDENTIALS: (&str, &str) = ("panel-A03", "panel-secret");
/// The demo underwriters' password (users `uw-A02`, `uw-A03`, `uw-B02`).
pub const DEMO_STAFF_SECRET: &str = "uw-secret";

/// Parses the demo panels.
pub fn panels() -> anyhow::Result<Vec<PanelDefinition>> {
    #[derive(serde::Deserialize)]
    struct File {
        panels: Vec<PanelDefinition>,
    }
    let mut panels = toml::from_str::<File>(DEMO_PANELS)?.panels;
    for panel in &mut panels {
        panel
            .validate()
            .map_err(|e| anyhow::anyhow!("demo panel {}: {e}", panel.code))?;
    }
    Ok(panels)
}

/// Loads the demo panels and credentials.
pub async fn load(ctx: &PanelCtx) -> anyhow::Result<()> {
    for panel in panels()? {
        super::save_panel(ctx, &panel).await?;
        let staff_scope = serde_json::json!({ "panels": [panel.code] }).to_string();
        basic::upsert(
            &ctx.kernel,
            STAFF_REALM,
            &format!("uw-{}", panel.code),
            DEMO_STAFF_SECRET,
            &staff_scope,
        )
        .await?;
    }
    let scope = super::auth::Scope {
        panels: vec!["*".to_string()],
        broker_url: format!("{}/aap", ctx.kernel.public_url),
        broker_username: DEMO_BROKER_CREDENTIALS.0.to_string(),
        broker_password: DEMO_BROKER_CREDENTIALS.1.to_string(),
    };
    super::auth::save_client(ctx, DEMO_CLIENT.0, DEMO_CLIENT.1, scope)
        .await
        .map_err(|e| anyhow::anyhow!("demo client: {e:?}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_panels_are_valid() {
        let panels = super::panels().unwrap();
        let codes: Vec<&str> = panels.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["A03", "A02", "B02"]);
    }
}

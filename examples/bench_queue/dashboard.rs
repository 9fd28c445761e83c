//! `--dashboard YYYY-MM`: the monthly waiting-time dashboard, repeatedly.

use std::time::Duration;

use anyhow::{bail, Context};

use super::{call, phase, timed, Options};

/// `--dashboard YYYY-MM`: the monthly dashboard of that month, repeatedly.
pub(crate) async fn dashboard(
    client: &reqwest::Client,
    opts: &Options,
    month: &str,
    duration: Duration,
) -> anyhow::Result<()> {
    let (year, mm) = month.split_once('-').context("--dashboard YYYY-MM")?;
    let url = format!(
        "{}/antreanrs/dashboard/waktutunggu/bulan/{mm}/tahun/{year}/waktu/rs",
        opts.url
    );
    let (code, _) = call(client.get(&url)).await?;
    if code != 200 {
        bail!("the dashboard answered metadata.code {code}");
    }
    let (c, u) = (client.clone(), url.clone());
    let (phase_stats, elapsed) = phase(opts.connections, duration, move |_, _| {
        let (client, url) = (c.clone(), u.clone());
        async move {
            let one = timed(async {
                let (code, _) = call(client.get(url)).await?;
                Ok(code == 200)
            })
            .await?;
            Ok(Some(vec![one]))
        }
    })
    .await;
    phase_stats.report("GET dashboard (month)", elapsed);
    Ok(())
}

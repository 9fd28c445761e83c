//! Issue 16: CATAPA's premium summaries, their figures equal the contribution endpoint's,
//! read through CATAPA's own SDK (PyPI `catapa`), the month's CSV and `jembatan hr report`.

use super::*;

const APRIL: &str = "cutoffEndDate:2025-04-30";

fn summaries(programme: &str, query: &str) -> String {
    format!("/core/v1/bpjs-{programme}-premiums/summaries?size=50&query={query}")
}

/// JKN's employer and employee amounts of the contribution endpoint (family included).
async fn contribution(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = get(
        app,
        &format!("/core/v1/employees/{id}/bpjs-contributions?period=2025-04"),
        token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn sum(body: &Value, prefix: &str, field: &str) -> i64 {
    body["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["programme"].as_str().unwrap().starts_with(prefix))
        .map(|l| l[field].as_i64().unwrap())
        .sum()
}

db_test!(premium_summaries_equal_the_contribution_figures, |app| async move {
    let token = token(&app).await;
    let (status, hc) = get(&app, &summaries("healthcare", APRIL), &token).await;
    assert_eq!(status, 200, "{hc}");
    let items = hc["content"].as_array().unwrap();
    assert_eq!(hc["totalElements"], items.len());
    assert!(items.len() >= 3, "{hc}");
    for item in items {
        let id = item["id"].as_str().unwrap();
        let employee = id.strip_suffix("_2025-04").expect("id names the month");
        let body = contribution(&app, &token, employee).await;
        assert_eq!(item["monthlyWage"], body["salary"]);
        assert_eq!(item["employeeIdentificationNumber"], body["employeeNumber"]);
        assert_eq!(item["companyAmount"], sum(&body, "JKN", "employerAmount"));
        assert_eq!(item["employeeAmount"], sum(&body, "JKN", "employeeAmount"));
    }
    let (_, mp) = get(&app, &summaries("manpower", APRIL), &token).await;
    let high = mp["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == format!("{HIGH}_2025-04"))
        .unwrap_or_else(|| panic!("{mp}"))
        .clone();
    let body = contribution(&app, &token, HIGH).await;
    assert_eq!(high["jkkAmount"], amounts(&body, "JKK").1);
    assert_eq!(high["jkmAmount"], amounts(&body, "JKM").1);
    assert_eq!(
        (high["jhtpkAmount"].clone(), high["jhtpAmount"].clone()),
        (json!(555_000), json!(300_000))
    );
    assert_eq!(
        (high["jppkAmount"].clone(), high["jppAmount"].clone()),
        (json!(210_948), json!(105_474))
    );
    assert_eq!(high["jkpAmount"], line(&body, "JKK")["jkpPortionAmount"]);

    // Details: the month and the covered months before it, each with its cut-off.
    let (status, details) = get(
        &app,
        &format!("/core/v1/bpjs-manpower-premiums/summaries/{HIGH}_2025-04/details"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{details}");
    assert_eq!(details["employeeId"], HIGH);
    assert_eq!(details["currentMonthDetail"]["endCutoffDate"], "2025-04-30");
    assert_eq!(details["currentMonthDetail"]["startCutoffDate"], "2025-04-01");
    assert_eq!(details["currentMonthDetail"]["jppAmount"], 105_474);
    let months = details["details"].as_array().unwrap();
    assert_eq!(months.last().unwrap()["endCutoffDate"], "2025-04-30");
    // JP's cap moved in March 2025: February computes with the earlier cap.
    let february = months.iter().find(|m| m["endCutoffDate"] == "2025-02-28").unwrap();
    assert_eq!(february["jppAmount"], 100_423);
    let (status, body) = get(
        &app,
        "/core/v1/bpjs-healthcare-premiums/summaries/nobody_2025-04/details",
        &token,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    error(&body, 404, "NOT_FOUND");
});

db_test!(
    premium_summary_queries_filter_page_and_refuse_clearly,
    |app| async move {
        let token = token(&app).await;
        let (_, all) = get(&app, &summaries("healthcare", APRIL), &token).await;
        let name = all["content"][0]["employeeName"].as_str().unwrap().to_string();
        let fragment = name.split_whitespace().next().unwrap().to_lowercase();
        let (_, by_name) = get(
            &app,
            &summaries("healthcare", &format!("{APRIL},employeeName:{fragment}")),
            &token,
        )
        .await;
        assert!(by_name["content"].as_array().unwrap().iter().all(|i| i["employeeName"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains(&fragment)));
        assert!(by_name["totalElements"].as_i64().unwrap() >= 1);
        // A range: January to April 2025 is four months of the same employees.
        let range = "cutoffEndDate>2025-01-31,cutoffEndDate<2025-04-30";
        let (status, months) = get(&app, &summaries("healthcare", range), &token).await;
        assert_eq!(status, 200, "{months}");
        assert_eq!(
            months["totalElements"].as_i64().unwrap(),
            4 * all["totalElements"].as_i64().unwrap()
        );
        // Not a month's last day: no month ends then.
        let (_, none) = get(&app, &summaries("healthcare", "cutoffEndDate:2025-04-15"), &token).await;
        assert_eq!(none["totalElements"], 0);
        // Paging.
        let (_, page) = get(
            &app,
            "/core/v1/bpjs-healthcare-premiums/summaries?page=1&size=1&query=cutoffEndDate:2025-04-30",
            &token,
        )
        .await;
        assert_eq!(
            (
                page["number"].clone(),
                page["size"].clone(),
                page["numberOfElements"].clone()
            ),
            (json!(1), json!(1), json!(1))
        );
        assert_eq!(page["content"][0], all["content"][1]);
        for path in [
            "/core/v1/bpjs-healthcare-premiums/summaries?size=51".to_string(),
            summaries("healthcare", "salary:1"),
            summaries("manpower", "cutoffEndDate>2023-01-31,cutoffEndDate<2025-04-30"),
            summaries("healthcare", "cutoffEndDate:2014-12-31"),
            summaries("healthcare", "cutoffEndDate:april"),
        ] {
            let (status, body) = get(&app, &path, &token).await;
            assert_eq!(status, 400, "{path}: {body}");
            error(&body, 400, "BAD_REQUEST");
        }
    }
);

db_test!(a_months_csv_per_provider_over_http_and_from_the_cli, |app| async move {
    let token = token(&app).await;
    let response = app
        .client
        .get(app.at(&summaries("healthcare", APRIL)))
        .bearer_auth(&token)
        .header("Tenant", "demo")
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "providerCode,period,employeeIdentificationNumber,employeeName,monthlyWage,companyAmount,employeeAmount"
    );
    let (_, all) = get(&app, &summaries("healthcare", APRIL), &token).await;
    assert_eq!(lines.clone().count() as i64, all["totalElements"].as_i64().unwrap());
    let first = all["content"][0].clone();
    let expected = format!(
        ",2025-04,{},{},{},{},{}",
        first["employeeIdentificationNumber"].as_str().unwrap(),
        first["employeeName"].as_str().unwrap(),
        first["monthlyWage"],
        first["companyAmount"],
        first["employeeAmount"]
    );
    assert!(lines.any(|l| l.ends_with(&expected)), "{csv}\n{expected}");
    // A CSV is of one month.
    let response = app
        .client
        .get(app.at(&summaries(
            "healthcare",
            "cutoffEndDate>2025-01-31,cutoffEndDate<2025-04-30",
        )))
        .bearer_auth(&token)
        .header("Tenant", "demo")
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let dir = tempfile::tempdir().unwrap();
    let (url, out) = (app.database.url.clone(), dir.path().to_path_buf());
    let output = tokio::task::spawn_blocking(move || {
        crate::common::jembatan_command()
            .args(["hr", "report", "--tenant", "demo", "--month", "2025-04", "--out"])
            .arg(&out)
            .args(["--database", &url])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files: Vec<&str> = stdout.lines().collect();
    assert!(
        files
            .iter()
            .any(|f| f.contains("bpjs-healthcare-") && f.ends_with("-2025-04.csv")),
        "{stdout}"
    );
    assert!(files.iter().any(|f| f.contains("bpjs-manpower-")), "{stdout}");
    let healthcare: String = files
        .iter()
        .filter(|f| f.contains("bpjs-healthcare-"))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert!(healthcare.contains(&expected), "{healthcare}");
});

/// Calls the four typed methods of CATAPA's SDK and prints what its models parsed.
const SDK_SCRIPT: &str = r#"
import json, sys
from openapi_client import ApiClient, Configuration
from openapi_client.api.core_bpjs_healthcare_premiums_summaries_api import CoreBpjsHealthcarePremiumsSummariesApi
from openapi_client.api.core_bpjs_healthcare_premiums_summaries_details_api import CoreBpjsHealthcarePremiumsSummariesDetailsApi
from openapi_client.api.core_bpjs_manpower_premiums_summaries_api import CoreBpjsManpowerPremiumsSummariesApi
from openapi_client.api.core_bpjs_manpower_premiums_summaries_details_api import CoreBpjsManpowerPremiumsSummariesDetailsApi

url, token, query = sys.argv[1:4]
configuration = Configuration(host=url)
configuration.access_token = token
client = ApiClient(configuration)
client.set_default_header("Tenant", "demo")
hc = CoreBpjsHealthcarePremiumsSummariesApi(client).list(page=0, size=50, query=query)
mp = CoreBpjsManpowerPremiumsSummariesApi(client).list(page=0, size=50, query=query)
hd = CoreBpjsHealthcarePremiumsSummariesDetailsApi(client).list(id=hc.content[0].id)
md = CoreBpjsManpowerPremiumsSummariesDetailsApi(client).list(id=mp.content[0].id)
print(json.dumps({"hc": hc.to_dict(), "mp": mp.to_dict(), "hd": hd.to_dict(), "md": md.to_dict()}))
"#;

fn sdk_installed() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import catapa, openapi_client"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

db_test!(catapas_own_sdk_parses_the_premium_summaries, |app| async move {
    if !sdk_installed() {
        eprintln!("skipped: CATAPA's SDK is not installed (PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install catapa; .ci/run does)");
        return;
    }
    let token = token(&app).await;
    let (url, token_for_sdk) = (app.url.clone(), token.clone());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args(["-c", SDK_SCRIPT, &url, &token_for_sdk, APRIL])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value = serde_json::from_str(&stdout).unwrap();
    // What the SDK's models hold equals what the server sent (nothing lost or renamed).
    let (_, hc) = get(&app, &summaries("healthcare", APRIL), &token).await;
    assert_eq!(parsed["hc"]["content"], hc["content"], "{parsed}");
    assert_eq!(parsed["hc"]["totalElements"], hc["totalElements"]);
    let (_, mp) = get(&app, &summaries("manpower", APRIL), &token).await;
    assert_eq!(parsed["mp"]["content"], mp["content"]);
    let first = hc["content"][0]["id"].as_str().unwrap();
    let (_, hd) = get(
        &app,
        &format!("/core/v1/bpjs-healthcare-premiums/summaries/{first}/details"),
        &token,
    )
    .await;
    assert_eq!(parsed["hd"], hd);
    let first = mp["content"][0]["id"].as_str().unwrap();
    let (_, md) = get(
        &app,
        &format!("/core/v1/bpjs-manpower-premiums/summaries/{first}/details"),
        &token,
    )
    .await;
    assert_eq!(parsed["md"], md);
});

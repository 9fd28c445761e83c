//! `jembatan ppob member add|rotate|disable|enable|list`: onboarding members without SQL.
//!
//! A PIN, password or callback secret the server makes is printed once on stdout (as
//! `memberpin: ...`, `memberpass: ...`, `callback secret: ...`) and never again; a value the
//! operator gives is never echoed. A change changes only what its flags name: a new PIN
//! keeps the callback URL and secret, a URL keeps the secret, callbacks go off only with
//! `--no-callback`, and a new secret comes only with `--rotate-callback-secret`.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::kernel::money::Rupiah;

use super::members::{self, CallbackChange, Changed, MemberChange, NewMemberSpec};
use super::PpobCtx;

/// The callback flags shared by every form.
#[derive(Debug, Clone, Default, Args)]
pub struct CallbackArgs {
    /// Where transaction callbacks go (the callback secret is kept; one is made and
    /// printed when the member has none).
    #[arg(long)]
    pub callback_url: Option<String>,
    /// Turn callbacks off (the only way to; leaving `--callback-url` out keeps them).
    #[arg(long, conflicts_with = "callback_url")]
    pub no_callback: bool,
    /// Set this callback HMAC key (not echoed).
    #[arg(long)]
    pub callback_secret: Option<String>,
    /// Make a new random callback HMAC key (printed once).
    #[arg(long, conflicts_with = "callback_secret")]
    pub rotate_callback_secret: bool,
}

impl CallbackArgs {
    fn change(&self) -> CallbackChange {
        CallbackChange {
            url: self.callback_url.clone(),
            off: self.no_callback,
            secret: self.callback_secret.clone(),
            rotate_secret: self.rotate_callback_secret,
        }
    }
}

/// The older form `ppob member MEMBERID --pass P --pin N [...]`: creates the member
/// (making what is not given) or changes what is given.
#[derive(Debug, Clone, Default, Args)]
pub struct LegacyMember {
    /// Login id.
    pub memberid: Option<String>,
    /// Password.
    #[arg(long)]
    pub pass: Option<String>,
    /// PIN.
    #[arg(long)]
    pub pin: Option<String>,
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// How far below zero the balance may go (rupiah).
    #[arg(long, visible_alias = "limit")]
    pub credit_limit: Option<i64>,
    /// The callback.
    #[command(flatten)]
    pub callback: CallbackArgs,
}

/// Member subcommands.
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Create a member; the password and PIN are made and printed once when not given.
    Add {
        /// Login id.
        memberid: String,
        /// Display name.
        #[arg(long, default_value = "")]
        name: String,
        /// Password (made when absent).
        #[arg(long)]
        pass: Option<String>,
        /// PIN (a random 6-digit one when absent).
        #[arg(long)]
        pin: Option<String>,
        /// How far below zero the balance may go (rupiah).
        #[arg(long, default_value_t = 0)]
        credit_limit: i64,
        /// The callback.
        #[command(flatten)]
        callback: CallbackArgs,
    },
    /// Change a member's PIN, password, name, limit or callback. Without any flag, a new
    /// PIN and password are made (printed once).
    Rotate {
        /// Login id.
        memberid: String,
        /// Set this password.
        #[arg(long, conflicts_with = "new_pass")]
        pass: Option<String>,
        /// Make a new password (printed once).
        #[arg(long)]
        new_pass: bool,
        /// Set this PIN.
        #[arg(long, conflicts_with = "new_pin")]
        pin: Option<String>,
        /// Make a new 6-digit PIN (printed once).
        #[arg(long)]
        new_pin: bool,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// New credit limit (rupiah).
        #[arg(long)]
        credit_limit: Option<i64>,
        /// The callback.
        #[command(flatten)]
        callback: CallbackArgs,
    },
    /// Refuse the member on every endpoint (its balance and history stay).
    Disable {
        /// Login id.
        memberid: String,
    },
    /// Accept a disabled member again.
    Enable {
        /// Login id.
        memberid: String,
    },
    /// Members with status, balance and callback URL (never a secret).
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `ppob member ...`. (Callback secrets an older version stored in clear were already
/// sealed when the process started: `cli_credentials::seal_at_rest`.)
pub async fn run(ctx: &PpobCtx, action: Option<MemberCommand>, legacy: LegacyMember) -> anyhow::Result<ExitCode> {
    match action {
        Some(MemberCommand::Add {
            memberid,
            name,
            pass,
            pin,
            credit_limit,
            callback,
        }) => {
            let spec = NewMemberSpec {
                memberid: memberid.clone(),
                name,
                credit_limit: Rupiah::new(credit_limit),
                callback: callback.change(),
            };
            add(ctx, &spec, pass, pin, "added").await?;
        }
        Some(MemberCommand::Rotate {
            memberid,
            pass,
            new_pass,
            pin,
            new_pin,
            name,
            credit_limit,
            callback,
        }) => {
            let nothing_named = pass.is_none()
                && !new_pass
                && pin.is_none()
                && !new_pin
                && name.is_none()
                && credit_limit.is_none()
                && callback.change().is_empty();
            let made_pass = (new_pass || nothing_named).then(members::random_password);
            let made_pin = (new_pin || nothing_named).then(members::random_pin);
            let change = MemberChange {
                memberpass: pass.or_else(|| made_pass.clone()),
                memberpin: pin.or_else(|| made_pin.clone()),
                name,
                credit_limit: credit_limit.map(Rupiah::new),
                callback: callback.change(),
                active: None,
            };
            let changed = apply(ctx, &memberid, &change).await?;
            println!("member {memberid} changed");
            print_made(made_pass.as_deref(), made_pin.as_deref(), &changed);
        }
        Some(MemberCommand::Disable { memberid }) => {
            apply(ctx, &memberid, &active(false)).await?;
            println!("member {memberid} disabled");
        }
        Some(MemberCommand::Enable { memberid }) => {
            apply(ctx, &memberid, &active(true)).await?;
            println!("member {memberid} enabled");
        }
        Some(MemberCommand::List { json }) => list(ctx, json).await?,
        None => legacy_form(ctx, legacy).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn legacy_form(ctx: &PpobCtx, legacy: LegacyMember) -> anyhow::Result<()> {
    let Some(memberid) = legacy.memberid else {
        anyhow::bail!(
            "ppob member: give add, rotate, disable, enable or list (or the older form MEMBERID --pass P --pin N)"
        );
    };
    if members::exists(ctx, memberid.trim()).await? {
        let change = MemberChange {
            memberpass: legacy.pass,
            memberpin: legacy.pin,
            name: legacy.name,
            credit_limit: legacy.credit_limit.map(Rupiah::new),
            callback: legacy.callback.change(),
            active: None,
        };
        let changed = apply(ctx, &memberid, &change).await?;
        println!("member {memberid} saved");
        print_made(None, None, &changed);
    } else {
        // A new member is made on purpose: its credentials are given, never guessed.
        anyhow::ensure!(
            legacy.pass.is_some() && legacy.pin.is_some(),
            "member {memberid} does not exist: a new member needs --pass and --pin (or use `ppob member add`)"
        );
        let spec = NewMemberSpec {
            memberid: memberid.clone(),
            name: legacy.name.unwrap_or_default(),
            credit_limit: Rupiah::new(legacy.credit_limit.unwrap_or(0)),
            callback: legacy.callback.change(),
        };
        add(ctx, &spec, legacy.pass, legacy.pin, "saved").await?;
    }
    Ok(())
}

async fn add(
    ctx: &PpobCtx,
    spec: &NewMemberSpec,
    pass: Option<String>,
    pin: Option<String>,
    verb: &str,
) -> anyhow::Result<()> {
    let made_pass = pass.is_none().then(members::random_password);
    let made_pin = pin.is_none().then(members::random_pin);
    let pass = pass.or_else(|| made_pass.clone()).unwrap_or_default();
    let pin = pin.or_else(|| made_pin.clone()).unwrap_or_default();
    let changed = members::add(ctx, spec, &pass, &pin).await?;
    println!("member {} {verb}", spec.memberid.trim());
    print_made(made_pass.as_deref(), made_pin.as_deref(), &changed);
    Ok(())
}

async fn apply(ctx: &PpobCtx, memberid: &str, change: &MemberChange) -> anyhow::Result<Changed> {
    members::change(ctx, memberid, change)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no member {memberid}"))
}

fn active(active: bool) -> MemberChange {
    MemberChange {
        active: Some(active),
        ..MemberChange::default()
    }
}

/// Prints what the server made, once; nothing the operator gave.
fn print_made(pass: Option<&str>, pin: Option<&str>, changed: &Changed) {
    let mut any = false;
    for (label, value) in [
        ("memberpass", pass),
        ("memberpin", pin),
        ("callback secret", changed.generated_callback_secret.as_deref()),
    ] {
        if let Some(value) = value {
            println!("{label}: {value}");
            any = true;
        }
    }
    if any {
        eprintln!("(made by the server and shown only this once: hand it to the member now)");
    }
}

async fn list(ctx: &PpobCtx, json: bool) -> anyhow::Result<()> {
    let all = members::list(ctx).await?;
    if json {
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|m| {
                serde_json::json!({
                    "memberid": m.memberid,
                    "name": m.name,
                    "status": status(m.active),
                    "balance": m.balance,
                    "credit_limit": m.credit_limit,
                    "callback_url": m.callback_url,
                    "callback_signed": m.signed != 0,
                    "updated_at": m.updated_at,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "{:<16} {:<9} {:>14} {:>12}  {:<40} NAME",
        "MEMBERID", "STATUS", "BALANCE", "LIMIT", "CALLBACK"
    );
    for m in &all {
        println!(
            "{:<16} {:<9} {:>14} {:>12}  {:<40} {}",
            m.memberid,
            status(m.active),
            m.balance.to_string(),
            m.credit_limit.to_string(),
            m.callback_url.as_deref().unwrap_or("-"),
            m.name
        );
    }
    Ok(())
}

fn status(active: i64) -> &'static str {
    if active != 0 {
        "active"
    } else {
        "disabled"
    }
}

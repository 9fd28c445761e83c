//! Who made a request: a per-request slot the journal middleware installs and the
//! authentication code fills with one [`set_actor`] call once a credential is verified.
//!
//! The slot is a task-local around the family's handler (see [`with_actor_slot`]), so the
//! auth code needs no access to the request and nothing is allocated for a request that
//! never authenticates; the only cost of an authenticated one is the actor's short string.

use std::cell::Cell;
use std::fmt;
use std::future::Future;

tokio::task_local! {
    static ACTOR: Cell<Option<String>>;
}

/// A verified caller as the journal's `actor` column names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// A hospital's bearer token (participant proxy): `token:NAME`.
    Token(&'a str),
    /// A BPJS consumer (VClaim simulator, Antrean RS): `bpjs:CONSID/KODEPPK`.
    Bpjs {
        /// `X-cons-id`.
        cons_id: &'a str,
        /// The hospital the consumer belongs to.
        kode_ppk: &'a str,
    },
    /// An HR OAuth2 client: `hr:CLIENT@TENANT`.
    Hr {
        /// The client id.
        client: &'a str,
        /// Its tenant.
        tenant: &'a str,
    },
    /// A PPOB member: `ppob:MEMBERID`.
    Ppob(&'a str),
    /// An HTTP Basic user (insurance panels and broker): `basic:USER`.
    Basic(&'a str),
    /// A person at the operators' console: `operator:NAME`.
    Operator(&'a str),
}

impl fmt::Display for Actor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Token(name) => write!(f, "token:{name}"),
            Actor::Bpjs { cons_id, kode_ppk } => write!(f, "bpjs:{cons_id}/{kode_ppk}"),
            Actor::Hr { client, tenant } => write!(f, "hr:{client}@{tenant}"),
            Actor::Ppob(memberid) => write!(f, "ppob:{memberid}"),
            Actor::Basic(user) => write!(f, "basic:{user}"),
            Actor::Operator(name) => write!(f, "operator:{name}"),
        }
    }
}

/// Names the verified caller of the current request in its journal entry. The first call
/// of a request wins (a later check in the same request cannot rewrite who it was); outside
/// a journaled request (a CLI command, a background task) it does nothing.
pub fn set_actor(actor: Actor<'_>) {
    let _ = ACTOR.try_with(|slot| {
        let current = slot.take();
        slot.set(Some(current.unwrap_or_else(|| actor.to_string())));
    });
}

/// The actor of the current request so far, if inside a journaled request and known.
pub(super) fn current() -> Option<String> {
    ACTOR
        .try_with(|slot| {
            let value = slot.take();
            slot.set(value.clone());
            value
        })
        .ok()
        .flatten()
}

/// Runs `future` (a request's handling) with an empty actor slot, and hands back what the
/// authentication code put in it.
pub async fn with_actor_slot<F: Future>(future: F) -> (F::Output, Option<String>) {
    ACTOR
        .scope(Cell::new(None), async move {
            let output = future.await;
            (output, ACTOR.with(Cell::take))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_reads_as_the_journal_names_it() {
        let forms = [
            (Actor::Token("rs-sehat"), "token:rs-sehat"),
            (
                Actor::Bpjs {
                    cons_id: "1234",
                    kode_ppk: "0101R001",
                },
                "bpjs:1234/0101R001",
            ),
            (
                Actor::Hr {
                    client: "demo-client",
                    tenant: "demo",
                },
                "hr:demo-client@demo",
            ),
            (Actor::Ppob("DEMO01"), "ppob:DEMO01"),
            (Actor::Basic("aap"), "basic:aap"),
            (Actor::Operator("siti"), "operator:siti"),
        ];
        for (actor, text) in forms {
            assert_eq!(actor.to_string(), text);
        }
    }

    #[tokio::test]
    async fn the_slot_keeps_the_first_actor_and_is_empty_outside_a_request() {
        set_actor(Actor::Operator("nobody"));
        assert_eq!(current(), None);
        let ((), actor) = with_actor_slot(async {
            assert_eq!(current(), None);
            tokio::task::yield_now().await;
            set_actor(Actor::Basic("aap"));
            set_actor(Actor::Basic("someone-else"));
            assert_eq!(current().as_deref(), Some("basic:aap"));
        })
        .await;
        assert_eq!(actor.as_deref(), Some("basic:aap"));
        let ((), none) = with_actor_slot(async {}).await;
        assert_eq!(none, None);
    }
}

-- Issue 13: every journal entry names who made the request (`token:NAME`,
-- `bpjs:CONSID/KODEPPK`, `hr:CLIENT@TENANT`, `ppob:MEMBERID`, `basic:USER`,
-- `operator:NAME`; empty for an unauthenticated request or a background task), so an
-- audit can answer "which hospital looked this up?". Rows written before this have none.
ALTER TABLE journal ADD COLUMN actor TEXT NOT NULL DEFAULT '';
-- `jembatan journal search --actor A --since T` reads one actor's entries in time order.
CREATE INDEX journal_actor_created ON journal (actor, created_at);

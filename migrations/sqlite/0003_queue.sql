-- BPJS Antrean RS (specs/antrean-rs.txt): tables added by this family's work.
SELECT 1;

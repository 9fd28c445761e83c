-- HR BPJS memberships (specs/hr-bpjs-memberships.txt): tables added by this family's work.
SELECT 1;

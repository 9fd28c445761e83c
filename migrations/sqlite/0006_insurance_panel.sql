-- Insurance panels (specs/pialang-h2h.txt): tables added by this family's work.
SELECT 1;

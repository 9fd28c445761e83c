-- PPOB member API (specs/ppob-pascabayar.md): tables added by this family's work.
SELECT 1;

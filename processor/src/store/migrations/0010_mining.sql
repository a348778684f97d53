-- placeholder, replaced by the mining migration
SELECT 1;

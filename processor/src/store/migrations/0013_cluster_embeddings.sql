-- Topic clusters from embeddings (processor/src/mine/embedding-topics.ts) beside the MinHash
-- ones: a cluster is of one method, and an embedding cluster keeps its representative's unit
-- vector and the model that made it (vectors of two models are never compared).
-- Not a breaking change: new nullable columns, and older processors write only MinHash clusters.

ALTER TABLE mine_clusters ALTER COLUMN signature DROP NOT NULL;
ALTER TABLE mine_clusters ADD COLUMN method text NOT NULL DEFAULT 'minhash';
ALTER TABLE mine_clusters ADD COLUMN embedding real[];
ALTER TABLE mine_clusters ADD COLUMN embedding_model text;
ALTER TABLE mine_clusters ADD CONSTRAINT mine_clusters_method_check CHECK (
  (method = 'minhash' AND signature IS NOT NULL)
  OR (method = 'embedding' AND embedding IS NOT NULL AND embedding_model IS NOT NULL)
);

// Who holds a claim or a lease (a judge request, a periodic job) and who wrote a score: this
// process, as host:pid, so a row in Postgres says which replica to look at.
import { hostname } from 'node:os';

/** This process's claimant id, e.g. "ingest-7f9c:4127". */
export function processClaimant(): string {
  return `${hostname()}:${process.pid}`;
}

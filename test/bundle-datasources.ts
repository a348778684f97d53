// The Grafana datasources of the bundle as docker-compose.yml serves them: which service and
// port each one's URL must name. bundle-config.test.ts checks that each is a service of the
// compose file listening there; the provisioning file (dashboards/provisioning/datasources)
// is checked against the same list.

export interface BundleDatasource {
  uid: string;
  /** The compose service the datasource connects to. */
  service: string;
  port: number;
  /** The URL as the datasource file writes it. */
  url: string;
}

export const BUNDLE_DATASOURCES: readonly BundleDatasource[] = [
  { uid: 'flywheel-postgres', service: 'postgres', port: 5432, url: 'postgres:5432' },
  { uid: 'flywheel-prometheus', service: 'prometheus', port: 9090, url: 'http://prometheus:9090' },
  { uid: 'flywheel-tempo', service: 'tempo', port: 3200, url: 'http://tempo:3200' },
];

/** The Postgres role and database the Postgres datasource logs in with. */
export const GRAFANA_POSTGRES_ROLE = { user: 'flywheel_grafana', database: 'flywheel', passwordEnv: 'FLYWHEEL_GRAFANA_PASSWORD' };

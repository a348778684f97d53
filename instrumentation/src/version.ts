// The instrumentation scope of every span and log record this package emits.
import packageJson from '../package.json' with { type: 'json' };

export const PACKAGE_NAME: string = packageJson.name;
export const PACKAGE_VERSION: string = packageJson.version;

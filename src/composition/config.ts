/** The configuration and the logger of the process, read once at start-up. */
import { existsSync } from 'node:fs';
import { type Config, loadConfig } from '../config.js';
import { type AppLogger, createLogger } from '../logger.js';
import { failOnCoded } from './fail.js';

export function readConfig(): Config {
  // A local .env is a convenience for `npm start`; variables already in the environment win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (error) {
    failOnCoded(error);
    throw error;
  }
}

/** Every secret of the configuration is masked in every line (the database password included). */
export function createAppLogger(config: Config): AppLogger {
  return createLogger({
    level: config.LOG_LEVEL,
    secrets: [
      config.SLACK_BOT_TOKEN,
      config.SLACK_SIGNING_SECRET,
      config.SLACK_APP_TOKEN,
      config.GRAPH_CLIENT_SECRET,
      config.PARTNER_CENTER_CLIENT_SECRET,
      config.PARTNER_CENTER_REFRESH_TOKEN,
      databasePassword(config.DATABASE_URL),
    ],
  });
}

function databasePassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}

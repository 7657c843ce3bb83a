/**
 * `casefile serve` whose durable batches are not recorded in the hash chain (`recordChain: false`):
 * the baseline the `evidence-ingest` bench measures the chain's cost on ingest against. Takes the
 * same environment and `serve` flags as the CLI; stops on SIGTERM / SIGINT like it.
 */
import { loadConfig, startCollector } from '@casefile/collector';

const args = process.argv.slice(2);
const config = loadConfig(process.env, args[0] === 'serve' ? args.slice(1) : args);
const collector = await startCollector(config, undefined, { recordChain: false });
const stop = () => {
  collector.close().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`error while shutting down: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

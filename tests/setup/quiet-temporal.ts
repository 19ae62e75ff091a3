// Only warnings and errors from the Temporal worker runtime in test output.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });

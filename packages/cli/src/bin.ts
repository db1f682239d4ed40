#!/usr/bin/env node
import { main } from './cli/main.js';

// Every command, `serve` included (it returns once the server has shut down), ends here: exit
// explicitly so idle keep-alive sockets or pools never hold the process open.
main().then(
  (code) => process.exit(code),
  () => {
    process.stderr.write('error: unexpected failure\n');
    process.exit(1);
  },
);

import { runResourceAppSuite } from '../../auth-server/test/support/resource-app-suite.js';
import { createResourceApp } from '../src/app.js';

runResourceAppSuite('examples/koa-app', createResourceApp);

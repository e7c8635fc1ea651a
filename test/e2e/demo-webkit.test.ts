// The demo's browser scenarios in WebKit (see demo-browser.ts).
import { describe } from 'vitest';
import { launchWebKit } from '../browser/engines.js';
import { demoSuite } from './demo-browser.js';

describe('demo in webkit', () => demoSuite(launchWebKit));

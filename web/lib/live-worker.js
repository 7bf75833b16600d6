// live()'s processing worker: owns the output canvas (transferred as an OffscreenCanvas) and the
// engine, so filtering never blocks the page. Messages are handled strictly in order, so a
// snapshot always pairs an input frame with the output computed from it.
import { handlers } from './live-processor.js';
import { serve } from './live-protocol.js';

serve(self, handlers());

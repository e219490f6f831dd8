// Worker-thread entry for createFeedProcessor: runs decode → parse → normalize off the main
// thread. Loaded as .ts under tsx (through startWorker's bootstrap) or as .js from dist.
import { parentPort } from 'node:worker_threads';
import { replyMessages, runProcessJob, type ProcessJob } from './process.js';
import { lowerThreadPriority } from '../worker-thread.js';

if (!parentPort) throw new Error('process-worker: must run in a worker thread');
const port = parentPort;
lowerThreadPriority();
port.on('message', (job: ProcessJob) => {
  void runProcessJob(job).then((reply) => {
    for (const msg of replyMessages(reply)) port.postMessage(msg);
  });
});

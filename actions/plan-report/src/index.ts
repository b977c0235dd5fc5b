import { runAsStep } from '@mlops-actions/core/action';
import { run } from './main.ts';

await runAsStep(run);

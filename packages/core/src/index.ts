export { x } from './duration.ts';

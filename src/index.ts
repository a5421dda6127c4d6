/** customers-worker: the three APIs, each mounted at its paths with its own error dialect. */
import { canonicalApi } from './canonical/api';
import { ambiosysApi } from './compat/ambiosys/api';
import { upwellApi } from './compat/upwell/api';
import { createApp } from './http/app';

export default createApp({ apis: [canonicalApi, ambiosysApi, upwellApi], fallback: canonicalApi });

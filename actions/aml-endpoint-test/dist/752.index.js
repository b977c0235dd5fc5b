export const id = 752;
export const ids = [752];
export const modules = {

/***/ 59752:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   USER_AGENT: () => (/* binding */ USER_AGENT),
/* harmony export */   createMlClient: () => (/* binding */ createMlClient),
/* harmony export */   requestTimeoutPolicy: () => (/* binding */ requestTimeoutPolicy)
/* harmony export */ });
/* harmony import */ var _azure_arm_machinelearning__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(54393);
/* harmony import */ var _azure_core_rest_pipeline__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(47569);
/* harmony import */ var _duration_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(28283);



/** The one place the Azure ML management client is made: same retries, user agent and endpoint everywhere. */
const USER_AGENT = 'mlops-actions/0.1.0';
function createMlClient(login, options = {}) {
    const endpoint = login.armEndpoint;
    return new _azure_arm_machinelearning__WEBPACK_IMPORTED_MODULE_1__/* .AzureMachineLearningWorkspaces */ .FQ(login.credential, login.subscriptionId, {
        // The generated client builds URLs from $host and authenticates for `endpoint`: both must point at the cloud.
        $host: endpoint,
        endpoint,
        credentialScopes: [`${endpoint}/.default`],
        userAgentOptions: { userAgentPrefix: [USER_AGENT, options.userAgent].filter(Boolean).join(' ') },
        retryOptions: {
            maxRetries: options.maxRetries ?? 4,
            retryDelayInMs: options.retryDelayMs ?? 1000,
            maxRetryDelayInMs: options.maxRetryDelayMs ?? 30_000,
        },
        additionalPolicies: [{ policy: requestTimeoutPolicy(options.requestTimeoutMs ?? 60_000), position: 'perRetry' }],
    });
}
/**
 * A request with no answer within `timeoutMs` is abandoned and fails as `ETIMEDOUT`, which the SDK's retry policy
 * retries as it does a dropped connection. (The pipeline's own `request.timeout` ends in an AbortError, which it never
 * retries: a hung request would fail the step at once, against what `max-retries` promises.) Runs per retry, so each
 * attempt gets the whole time; an abort from the caller (an operation's timeout) still stops it and is not retried.
 */
function requestTimeoutPolicy(timeoutMs) {
    return {
        name: 'mlopsRequestTimeout',
        async sendRequest(request, next) {
            const callerSignal = request.abortSignal;
            const attempt = new AbortController();
            const forward = () => attempt.abort();
            if (callerSignal?.aborted)
                attempt.abort();
            callerSignal?.addEventListener('abort', forward, { once: true });
            let timedOut = false;
            const timer = setTimeout(() => {
                timedOut = true;
                attempt.abort();
            }, timeoutMs);
            request.abortSignal = attempt.signal;
            try {
                return await next(request);
            }
            catch (error) {
                if (!timedOut || callerSignal?.aborted)
                    throw error;
                const path = new URL(request.url).pathname;
                throw new _azure_core_rest_pipeline__WEBPACK_IMPORTED_MODULE_0__/* .RestError */ .pj(`${request.method} ${path}: no answer within ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDuration */ .a3)(timeoutMs)}`, {
                    code: 'ETIMEDOUT',
                    request,
                });
            }
            finally {
                clearTimeout(timer);
                callerSignal?.removeEventListener('abort', forward);
                request.abortSignal = callerSignal;
            }
        },
    };
}


/***/ })

};

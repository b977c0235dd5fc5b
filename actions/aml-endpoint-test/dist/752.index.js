export const id = 752;
export const ids = [752];
export const modules = {

/***/ 59752:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   USER_AGENT: () => (/* binding */ USER_AGENT),
/* harmony export */   createMlClient: () => (/* binding */ createMlClient)
/* harmony export */ });
/* harmony import */ var _azure_arm_machinelearning__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(54393);

/** The one place the Azure ML management client is made: same retries, user agent and endpoint everywhere. */
const USER_AGENT = 'mlops-actions/0.1.0';
function createMlClient(login, options = {}) {
    const endpoint = login.armEndpoint;
    return new _azure_arm_machinelearning__WEBPACK_IMPORTED_MODULE_0__/* .AzureMachineLearningWorkspaces */ .FQ(login.credential, login.subscriptionId, {
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
function requestTimeoutPolicy(timeoutMs) {
    return {
        name: 'mlopsRequestTimeout',
        sendRequest(request, next) {
            if (!request.timeout)
                request.timeout = timeoutMs;
            return next(request);
        },
    };
}


/***/ })

};

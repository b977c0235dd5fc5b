export const id = 825;
export const ids = [825];
export const modules = {

/***/ 86825:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   azureLogin: () => (/* binding */ azureLogin),
/* harmony export */   credentialFor: () => (/* binding */ credentialFor)
/* harmony export */ });
/* harmony import */ var _azure_identity__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83817);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(85736);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(94195);
/* harmony import */ var _login_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(77262);




/** The credential for a login plan (login.ts decides and checks; this module loads the Azure identity SDK). */
/** Authorities MSAL knows; any other host (the emulator, a private cloud) skips instance discovery. */
const KNOWN_AUTHORITIES = [
    'login.microsoftonline.com',
    'login.chinacloudapi.cn',
    'login.microsoftonline.us',
    'login.microsoftonline.de',
];
/** Every token the credential hands out is masked before anything can print it. */
class MaskingCredential {
    inner;
    constructor(inner) {
        this.inner = inner;
    }
    async getToken(scopes, options) {
        const token = await this.inner.getToken(scopes, options);
        if (token)
            (0,_summary_js__WEBPACK_IMPORTED_MODULE_1__/* .maskSecret */ .$l)(token.token);
        return token;
    }
}
function identityOptions(authorityHost) {
    return {
        authorityHost,
        disableInstanceDiscovery: !KNOWN_AUTHORITIES.includes(new URL(authorityHost).host),
    };
}
function credentialFor(plan) {
    const identity = identityOptions(plan.authorityHost);
    if (plan.method === 'oidc') {
        const assertion = async () => {
            try {
                const token = await plan.getIdToken(plan.audience);
                (0,_summary_js__WEBPACK_IMPORTED_MODULE_1__/* .maskSecret */ .$l)(token);
                return token;
            }
            catch (error) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`Could not get the job's GitHub ID token for OpenID Connect (${error.message}): ` +
                    "give the job 'permissions: id-token: write' (and 'contents: read'). Pull requests from forks never get one.");
            }
        };
        const credential = new _azure_identity__WEBPACK_IMPORTED_MODULE_0__/* .ClientAssertionCredential */ .XI(plan.tenantId, plan.clientId, assertion, identity);
        return { ...plan, credential: new MaskingCredential(credential) };
    }
    if (plan.method === 'client-secret') {
        const credential = new _azure_identity__WEBPACK_IMPORTED_MODULE_0__/* .ClientSecretCredential */ .HC(plan.tenantId, plan.clientId, plan.clientSecret, identity);
        return { ...plan, credential: new MaskingCredential(credential) };
    }
    const chain = new _azure_identity__WEBPACK_IMPORTED_MODULE_0__/* .ChainedTokenCredential */ .Rk(new _azure_identity__WEBPACK_IMPORTED_MODULE_0__/* .EnvironmentCredential */ .lp(identity), new _azure_identity__WEBPACK_IMPORTED_MODULE_0__/* .AzureCliCredential */ .nG());
    return { ...plan, credential: new MaskingCredential(chain) };
}
/** Plan and credential in one step. */
function azureLogin(options) {
    return credentialFor((0,_login_js__WEBPACK_IMPORTED_MODULE_3__/* .planLogin */ .pX)(options));
}


/***/ })

};

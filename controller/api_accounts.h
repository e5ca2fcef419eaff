// The accounts and tokens routes (docs/accounts.md): GET/POST /v1/accounts and
// DELETE /v1/accounts/NAME for admins; GET/POST /v1/tokens and DELETE /v1/tokens/ID for
// admins (any account) and account-admins (their own account's tokens, never admin
// ones). A new token's text is answered once (201) and never stored, only its digest.
#pragma once

namespace patchbay {

class HttpRouter;
class Controller;

void account_routes(HttpRouter& router, Controller& controller);

}  // namespace patchbay

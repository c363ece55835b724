using Microsoft.AspNetCore.Authorization;

namespace AntiFraud.Exchange.Hub.Identity;

internal sealed class PartnerInGoodStandingHandler(PartnerAuthenticator authenticator) : AuthorizationHandler<PartnerInGoodStanding>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PartnerInGoodStanding requirement)
    {
        if (context.Resource is HttpContext http)
        {
            var standing = authenticator.Authenticate(http.Connection.ClientCertificate);
            PartnerAccess.SetStanding(http, standing);
            if (standing.Succeeded)
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, standing.Refusal!));
            }
        }

        return Task.CompletedTask;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using AntiFraud.Exchange.Protocol.Health;
using AntiFraud.Exchange.Protocol.Reflection;

namespace AntiFraud.Exchange.Protocol.Wire.Server;

public static class GrpcServerExtensions
{
    /// <summary>Registers the wire layer with the standard health and reflection services.</summary>
    public static IServiceCollection AddGrpcWire(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        services.AddOptions<GrpcServerOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrpcServerRuntime>();
        services.TryAddSingleton<GrpcServiceCatalog>();
        services.TryAddSingleton<GrpcDispatcher>();
        services.TryAddSingleton<HealthStatusRegistry>();
        services.TryAddSingleton<ReflectionIndex>();
        services.AddGrpcService<HealthService>();
        services.AddGrpcService<ReflectionService>();
        services.AddGrpcService<ReflectionV1AlphaService>();
        return services;
    }

    public static IServiceCollection AddGrpcService<TService>(this IServiceCollection services)
        where TService : class, IGrpcService
    {
        services.TryAddSingleton<TService>();
        services.AddSingleton<IGrpcService>(sp => sp.GetRequiredService<TService>());
        return services;
    }

    /// <summary>
    /// Binds every registered service, checking each handler against the generated descriptors (a
    /// mismatch throws here, at start-up), and puts the dispatcher into the pipeline.
    /// </summary>
    public static IApplicationBuilder UseGrpcWire(this IApplicationBuilder app)
    {
        var dispatcher = app.ApplicationServices.GetRequiredService<GrpcDispatcher>();
        var health = app.ApplicationServices.GetRequiredService<HealthStatusRegistry>();
        health.MarkAllServing(app.ApplicationServices.GetRequiredService<GrpcServiceCatalog>());
        app.Use(next => context => dispatcher.InvokeAsync(context, next));
        return app;
    }
}

using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Contract;
using AntiFraud.Exchange.Protocol.Health;
using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Server;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.DependencyInjection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace AntiFraud.Exchange.Protocol.Tests.Wire;

public sealed class MethodValidatorTests
{
    public static TheoryData<string> ContractMethods()
    {
        var data = new TheoryData<string>();
        foreach (var method in AllContractMethods())
        {
            data.Add(method.FullName);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ContractMethods))]
    public void Validate_EveryTypedClientMethod_MatchesTheProto(string fullName)
    {
        var method = AllContractMethods().Single(m => m.FullName == fullName);
        var service = DescriptorFor(method.ServiceName);
        MethodValidator.Validate(service, method);
    }

    [Fact]
    public void AllContractMethods_CoverEveryDeclaredMethod()
    {
        var declared = new[] { ExchangeMethods.Descriptor, InboxMethods.Descriptor, AuditMethods.Descriptor, OperationsMethods.Descriptor }
            .SelectMany(s => s.Methods.Select(m => $"/{s.FullName}/{m.Name}"))
            .Order()
            .ToArray();
        Assert.Equal(declared, AllContractMethods().Where(m => m.ServiceName.StartsWith("antifraud.", StringComparison.Ordinal)).Select(m => m.FullName).Order().ToArray());
    }

    [Fact]
    public void Validate_WrongStreamingKind_FailsLoudly()
    {
        var wrong = new Method<SubmitRequest, SubmitResponse>(MethodType.ServerStreaming, ExchangeMethods.ServiceName, "Submit");
        var ex = Assert.Throws<InvalidOperationException>(() => MethodValidator.Validate(ExchangeMethods.Descriptor, wrong));
        Assert.Contains("declares it Unary", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WrongResponseType_FailsLoudly()
    {
        var wrong = new Method<SubmitRequest, ExchangeRecord>(MethodType.Unary, ExchangeMethods.ServiceName, "Submit");
        var ex = Assert.Throws<InvalidOperationException>(() => MethodValidator.Validate(ExchangeMethods.Descriptor, wrong));
        Assert.Contains("antifraud.exchange.v1.SubmitResponse", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownMethodName_FailsLoudly()
    {
        var wrong = new Method<SubmitRequest, SubmitResponse>(MethodType.Unary, ExchangeMethods.ServiceName, "Sumbit");
        var ex = Assert.Throws<InvalidOperationException>(() => MethodValidator.Validate(ExchangeMethods.Descriptor, wrong));
        Assert.Contains("declares no method Sumbit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ServiceBindingAMismatchedHandler_FailsAtStartUp()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestGrpcServer.StartAsync(services => services.AddGrpcService<MismatchedService>()));
        Assert.Contains("/antifraud.exchange.v1.Exchange/Get", ex.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<IMethod> AllContractMethods() =>
    [
        ExchangeMethods.Submit, ExchangeMethods.Get, ExchangeMethods.Cancel, ExchangeMethods.GetCase, ExchangeMethods.Watch,
        InboxMethods.Subscribe, InboxMethods.Ack, InboxMethods.Respond,
        AuditMethods.GetCheckpoint, AuditMethods.GetInclusionProof, AuditMethods.GetConsistencyProof, AuditMethods.Query, AuditMethods.Export,
        OperationsMethods.GetCompliance, OperationsMethods.ListPartners,
        HealthMethods.Check, HealthMethods.List, HealthMethods.Watch,
    ];

    private static ServiceDescriptor DescriptorFor(string serviceName) => serviceName switch
    {
        ExchangeMethods.ServiceName => ExchangeMethods.Descriptor,
        InboxMethods.ServiceName => InboxMethods.Descriptor,
        AuditMethods.ServiceName => AuditMethods.Descriptor,
        OperationsMethods.ServiceName => OperationsMethods.Descriptor,
        _ => Grpc.Health.V1.HealthReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Health"),
    };

    private sealed class MismatchedService : IGrpcService
    {
        public ServiceDescriptor Descriptor => ExchangeMethods.Descriptor;

        public void Bind(ServiceBinder binder) => binder.Unary(
            new Method<GetExchangeRequest, CaseView>(MethodType.Unary, ExchangeMethods.ServiceName, "Get"),
            (_, _) => Task.FromResult(new CaseView()));
    }
}

package podnet.cri;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import podnet.cri.api.ContainerStatusRequest;
import podnet.cri.api.ContainerStatusResponse;
import podnet.cri.api.CreateContainerRequest;
import podnet.cri.api.CreateContainerResponse;
import podnet.cri.api.ExecSyncRequest;
import podnet.cri.api.ExecSyncResponse;
import podnet.cri.api.ImageStatusRequest;
import podnet.cri.api.ImageStatusResponse;
import podnet.cri.api.ListPodSandboxRequest;
import podnet.cri.api.ListPodSandboxResponse;
import podnet.cri.api.PodSandboxStatusRequest;
import podnet.cri.api.PodSandboxStatusResponse;
import podnet.cri.api.RemoveContainerRequest;
import podnet.cri.api.RemoveContainerResponse;
import podnet.cri.api.RemovePodSandboxRequest;
import podnet.cri.api.RemovePodSandboxResponse;
import podnet.cri.api.RunPodSandboxRequest;
import podnet.cri.api.RunPodSandboxResponse;
import podnet.cri.api.StartContainerRequest;
import podnet.cri.api.StartContainerResponse;
import podnet.cri.api.StopContainerRequest;
import podnet.cri.api.StopContainerResponse;
import podnet.cri.api.StopPodSandboxRequest;
import podnet.cri.api.StopPodSandboxResponse;
import podnet.cri.api.VersionRequest;
import podnet.cri.api.VersionResponse;

/**
 * The CRI v1 methods podnet calls, as gRPC method descriptors: full name
 * {@code runtime.v1.RuntimeService/NAME} (or {@code ImageService}) and protobuf marshallers.
 * This is all a generated stub would add, so the build needs protoc but no gRPC code generator.
 */
public final class CriMethods {
    private CriMethods() {}

    public static final String RUNTIME = "runtime.v1.RuntimeService";
    public static final String IMAGES = "runtime.v1.ImageService";

    public static final MethodDescriptor<VersionRequest, VersionResponse> VERSION =
            unary(RUNTIME, "Version", VersionRequest.getDefaultInstance(), VersionResponse.getDefaultInstance());
    public static final MethodDescriptor<RunPodSandboxRequest, RunPodSandboxResponse> RUN_POD_SANDBOX =
            unary(RUNTIME, "RunPodSandbox", RunPodSandboxRequest.getDefaultInstance(),
                    RunPodSandboxResponse.getDefaultInstance());
    public static final MethodDescriptor<StopPodSandboxRequest, StopPodSandboxResponse> STOP_POD_SANDBOX =
            unary(RUNTIME, "StopPodSandbox", StopPodSandboxRequest.getDefaultInstance(),
                    StopPodSandboxResponse.getDefaultInstance());
    public static final MethodDescriptor<RemovePodSandboxRequest, RemovePodSandboxResponse> REMOVE_POD_SANDBOX =
            unary(RUNTIME, "RemovePodSandbox", RemovePodSandboxRequest.getDefaultInstance(),
                    RemovePodSandboxResponse.getDefaultInstance());
    public static final MethodDescriptor<PodSandboxStatusRequest, PodSandboxStatusResponse> POD_SANDBOX_STATUS =
            unary(RUNTIME, "PodSandboxStatus", PodSandboxStatusRequest.getDefaultInstance(),
                    PodSandboxStatusResponse.getDefaultInstance());
    public static final MethodDescriptor<ListPodSandboxRequest, ListPodSandboxResponse> LIST_POD_SANDBOX =
            unary(RUNTIME, "ListPodSandbox", ListPodSandboxRequest.getDefaultInstance(),
                    ListPodSandboxResponse.getDefaultInstance());
    public static final MethodDescriptor<CreateContainerRequest, CreateContainerResponse> CREATE_CONTAINER =
            unary(RUNTIME, "CreateContainer", CreateContainerRequest.getDefaultInstance(),
                    CreateContainerResponse.getDefaultInstance());
    public static final MethodDescriptor<StartContainerRequest, StartContainerResponse> START_CONTAINER =
            unary(RUNTIME, "StartContainer", StartContainerRequest.getDefaultInstance(),
                    StartContainerResponse.getDefaultInstance());
    public static final MethodDescriptor<StopContainerRequest, StopContainerResponse> STOP_CONTAINER =
            unary(RUNTIME, "StopContainer", StopContainerRequest.getDefaultInstance(),
                    StopContainerResponse.getDefaultInstance());
    public static final MethodDescriptor<RemoveContainerRequest, RemoveContainerResponse> REMOVE_CONTAINER =
            unary(RUNTIME, "RemoveContainer", RemoveContainerRequest.getDefaultInstance(),
                    RemoveContainerResponse.getDefaultInstance());
    public static final MethodDescriptor<ContainerStatusRequest, ContainerStatusResponse> CONTAINER_STATUS =
            unary(RUNTIME, "ContainerStatus", ContainerStatusRequest.getDefaultInstance(),
                    ContainerStatusResponse.getDefaultInstance());
    public static final MethodDescriptor<ExecSyncRequest, ExecSyncResponse> EXEC_SYNC =
            unary(RUNTIME, "ExecSync", ExecSyncRequest.getDefaultInstance(), ExecSyncResponse.getDefaultInstance());
    public static final MethodDescriptor<ImageStatusRequest, ImageStatusResponse> IMAGE_STATUS =
            unary(IMAGES, "ImageStatus", ImageStatusRequest.getDefaultInstance(),
                    ImageStatusResponse.getDefaultInstance());

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(String service, String method,
            Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }
}

package podnet.cri.containerd;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import podnet.cri.containerd.api.content.AbortRequest;
import podnet.cri.containerd.api.content.InfoRequest;
import podnet.cri.containerd.api.content.InfoResponse;
import podnet.cri.containerd.api.content.StatusRequest;
import podnet.cri.containerd.api.content.StatusResponse;
import podnet.cri.containerd.api.content.UpdateRequest;
import podnet.cri.containerd.api.content.UpdateResponse;
import podnet.cri.containerd.api.content.WriteContentRequest;
import podnet.cri.containerd.api.content.WriteContentResponse;
import podnet.cri.containerd.api.images.CreateImageRequest;
import podnet.cri.containerd.api.images.CreateImageResponse;
import podnet.cri.containerd.api.images.GetImageRequest;
import podnet.cri.containerd.api.images.GetImageResponse;
import podnet.cri.containerd.api.images.UpdateImageRequest;
import podnet.cri.containerd.api.images.UpdateImageResponse;
import podnet.cri.containerd.api.leases.CreateRequest;
import podnet.cri.containerd.api.leases.CreateResponse;
import podnet.cri.containerd.api.leases.DeleteRequest;

/**
 * The containerd API methods podnet calls (content, images, leases), as gRPC method
 * descriptors with containerd's full names, e.g. {@code containerd.services.content.v1.Content/Write}.
 */
public final class ContainerdMethods {
    private ContainerdMethods() {}

    public static final String CONTENT = "containerd.services.content.v1.Content";
    public static final String IMAGES = "containerd.services.images.v1.Images";
    public static final String LEASES = "containerd.services.leases.v1.Leases";

    public static final MethodDescriptor<InfoRequest, InfoResponse> CONTENT_INFO =
            method(CONTENT, "Info", MethodDescriptor.MethodType.UNARY, InfoRequest.getDefaultInstance(),
                    InfoResponse.getDefaultInstance());
    public static final MethodDescriptor<UpdateRequest, UpdateResponse> CONTENT_UPDATE =
            method(CONTENT, "Update", MethodDescriptor.MethodType.UNARY, UpdateRequest.getDefaultInstance(),
                    UpdateResponse.getDefaultInstance());
    public static final MethodDescriptor<StatusRequest, StatusResponse> CONTENT_STATUS =
            method(CONTENT, "Status", MethodDescriptor.MethodType.UNARY, StatusRequest.getDefaultInstance(),
                    StatusResponse.getDefaultInstance());
    public static final MethodDescriptor<AbortRequest, Empty> CONTENT_ABORT =
            method(CONTENT, "Abort", MethodDescriptor.MethodType.UNARY, AbortRequest.getDefaultInstance(),
                    Empty.getDefaultInstance());
    public static final MethodDescriptor<WriteContentRequest, WriteContentResponse> CONTENT_WRITE =
            method(CONTENT, "Write", MethodDescriptor.MethodType.BIDI_STREAMING, WriteContentRequest.getDefaultInstance(),
                    WriteContentResponse.getDefaultInstance());

    public static final MethodDescriptor<GetImageRequest, GetImageResponse> IMAGE_GET =
            method(IMAGES, "Get", MethodDescriptor.MethodType.UNARY, GetImageRequest.getDefaultInstance(),
                    GetImageResponse.getDefaultInstance());
    public static final MethodDescriptor<CreateImageRequest, CreateImageResponse> IMAGE_CREATE =
            method(IMAGES, "Create", MethodDescriptor.MethodType.UNARY, CreateImageRequest.getDefaultInstance(),
                    CreateImageResponse.getDefaultInstance());
    public static final MethodDescriptor<UpdateImageRequest, UpdateImageResponse> IMAGE_UPDATE =
            method(IMAGES, "Update", MethodDescriptor.MethodType.UNARY, UpdateImageRequest.getDefaultInstance(),
                    UpdateImageResponse.getDefaultInstance());

    public static final MethodDescriptor<CreateRequest, CreateResponse> LEASE_CREATE =
            method(LEASES, "Create", MethodDescriptor.MethodType.UNARY, CreateRequest.getDefaultInstance(),
                    CreateResponse.getDefaultInstance());
    public static final MethodDescriptor<DeleteRequest, Empty> LEASE_DELETE =
            method(LEASES, "Delete", MethodDescriptor.MethodType.UNARY, DeleteRequest.getDefaultInstance(),
                    Empty.getDefaultInstance());

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String service, String name,
            MethodDescriptor.MethodType type, Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }
}

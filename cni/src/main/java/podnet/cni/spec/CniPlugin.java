package podnet.cni.spec;

/** A CNI plugin's operations. ADD returns the result to print; the others print nothing. */
public interface CniPlugin {
    Result add(Call call);

    void del(Call call);

    void check(Call call);

    void gc(Call call);

    void status(Call call);
}

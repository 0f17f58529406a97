package podnet.cni.ipam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Result.Dns;

/** Reads DNS settings from a resolv.conf-style file, like the reference's parseResolvConf. */
final class ResolvConf {
    private ResolvConf() {}

    static Dns read(Path file) {
        List<String> ns = new ArrayList<>(), search = new ArrayList<>(), options = new ArrayList<>();
        String domain = null;
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "ipam.resolvConf: cannot read " + file + ": " + e, null, e);
        }
        for (String line : lines) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            String[] f = l.split("\\s+");
            switch (f[0]) {
                case "nameserver" -> {
                    if (f.length > 1) {
                        ns.add(f[1]);
                    }
                }
                case "domain" -> {
                    if (f.length > 1) {
                        domain = f[1];
                    }
                }
                case "search" -> {
                    for (int i = 1; i < f.length; i++) {
                        search.add(f[i]);
                    }
                }
                case "options" -> {
                    for (int i = 1; i < f.length; i++) {
                        options.add(f[i]);
                    }
                }
                default -> { }
            }
        }
        return new Dns(ns, domain, search, options);
    }
}

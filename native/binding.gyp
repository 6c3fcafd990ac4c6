{
  "targets": [
    {
      "target_name": "clinical_ft_blas",
      "sources": ["src/blas_addon.c", "src/frozen_weights.c", "src/frozen_head.c", "src/parallel.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread"],
      "cflags": ["-pthread", "-O3", "-march=x86-64-v2", "-mtune=generic", "-fvisibility=hidden"],
      "conditions": [
        ["OS=='linux'", {
          "variables": { "openblas_static%": "<!(ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.a 2>/dev/null || true)" },
          "conditions": [
            ["openblas_static!=''", {
              "libraries": ["-Wl,--exclude-libs,ALL", "<(openblas_static)", "-lpthread", "-lm"]
            }, {
              "libraries": ["-lopenblas"]
            }]
          ]
        }, {
          "libraries": ["-lopenblas"]
        }]
      ]
    }
  ]
}

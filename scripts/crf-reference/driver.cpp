// Reference outputs of Kraehenbuehl's densecrf (as vendored in pydensecrf) for pixelwise's CRF tests.
// stdin: int32 W, H, C; uint8 image [H,W,3]; float32 unary [N,C] (pixel-major).
// argv: iterations pos_w pos_xy bi_w bi_xy bi_rgb normalization(0..3) mode(q|filter)
// stdout: q mode: float32 Q [N,C]; filter mode: float32 [N,C] = raw lattice filter of the unary
//         array (bilateral features), no normalisation.
#include "densecrf.h"
#include "permutohedral.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
int main(int argc, char** argv) {
  int hdr[3];
  if (fread(hdr, 4, 3, stdin) != 3) return 1;
  int W = hdr[0], H = hdr[1], C = hdr[2], N = W * H;
  std::vector<unsigned char> im(N * 3);
  if (fread(im.data(), 1, N * 3, stdin) != (size_t)N * 3) return 1;
  MatrixXf U(C, N);
  if (fread(U.data(), 4, N * C, stdin) != (size_t)N * C) return 1;
  int it = atoi(argv[1]);
  float pw = atof(argv[2]), pxy = atof(argv[3]), bw = atof(argv[4]), bxy = atof(argv[5]), brgb = atof(argv[6]);
  NormalizationType nt = (NormalizationType)atoi(argv[7]);
  if (strcmp(argv[8], "filter") == 0) {
    MatrixXf f(5, N);
    for (int j = 0; j < H; j++) for (int i = 0; i < W; i++) {
      int k = j * W + i;
      f(0, k) = i / bxy; f(1, k) = j / bxy;
      for (int c = 0; c < 3; c++) f(2 + c, k) = im[k * 3 + c] / brgb;
    }
    Permutohedral p; p.init(f);
    MatrixXf out = p.compute(U);
    fwrite(out.data(), 4, N * C, stdout);
    return 0;
  }
  DenseCRF2D crf(W, H, C);
  crf.setUnaryEnergy(U);
  if (pw > 0) crf.addPairwiseGaussian(pxy, pxy, new PottsCompatibility(pw), DIAG_KERNEL, nt);
  if (bw > 0) crf.addPairwiseBilateral(bxy, bxy, brgb, brgb, brgb, im.data(), new PottsCompatibility(bw), DIAG_KERNEL, nt);
  MatrixXf Q = crf.inference(it);
  fwrite(Q.data(), 4, N * C, stdout);
  return 0;
}

// Photos travel as data URLs (the API takes data:image/jpeg;base64,… up to about 200 KB): each
// picture is drawn on a canvas at most 1280 px on its long side and saved as JPEG, smaller and
// lower quality until it fits.

const MAX_SIDE = 1280;
const MAX_CHARS = 200_000;

function loadImage(file: File): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      URL.revokeObjectURL(url);
      resolve(img);
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('无法读取图片'));
    };
    img.src = url;
  });
}

export async function photoDataUrl(file: File): Promise<string> {
  const img = await loadImage(file);
  let side = MAX_SIDE;
  let quality = 0.7;
  for (let attempt = 0; attempt < 8; attempt++) {
    const scale = Math.min(1, side / Math.max(img.naturalWidth, img.naturalHeight));
    const w = Math.max(1, Math.round(img.naturalWidth * scale));
    const h = Math.max(1, Math.round(img.naturalHeight * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('浏览器不支持图片处理');
    ctx.drawImage(img, 0, 0, w, h);
    const url = canvas.toDataURL('image/jpeg', quality);
    if (url.length <= MAX_CHARS) return url;
    if (quality > 0.45) quality -= 0.1;
    else side = Math.round(side * 0.75);
  }
  throw new Error('图片过大，请换一张');
}

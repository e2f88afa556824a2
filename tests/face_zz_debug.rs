mod face_common;
use face_common::{engine, fixture};
use liveface::api::model::SearchMode;
#[test]
fn dump() {
    let engine = engine().unwrap();
    for name in ["biden_2_group.jpg", "two_people.jpg"] {
        let img = fixture(name);
        let mut rgb = img.to_rgb8();
        let faces = engine.detector(SearchMode::Accurate).detect(&rgb).unwrap();
        let colors = [[255u8,0,0],[0,0,255],[0,255,0],[255,255,0]];
        for (i,f) in faces.iter().enumerate() {
            let c = image::Rgb(colors[i%4]);
            for t in 0..6i32 {
            for x in (f.x as i32)..((f.x+f.width) as i32) { for y in [f.y as i32 + t, (f.y+f.height) as i32 - t] {
                if x>=0 && y>=0 && (x as u32) < rgb.width() && (y as u32) < rgb.height() { rgb.put_pixel(x as u32, y as u32, c); } } }
            for y in (f.y as i32)..((f.y+f.height) as i32) { for x in [f.x as i32 + t, (f.x+f.width) as i32 - t] {
                if x>=0 && y>=0 && (x as u32) < rgb.width() && (y as u32) < rgb.height() { rgb.put_pixel(x as u32, y as u32, c); } } }
            }
        }
        let small = image::imageops::thumbnail(&rgb, 600, 600);
        small.save(format!("/tmp/{name}.png")).unwrap();
    }
}

pub struct B;

pub fn back() -> Option<super::a::A> {
    None
}
